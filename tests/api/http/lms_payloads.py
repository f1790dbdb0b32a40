"""Documented webhook payloads of each platform, as the tests replay them (the source of each is
cited next to it; learner emails made valid where a sample had a placeholder)."""

from __future__ import annotations

from typing import Any

# Thinkific "Enrollment Completed", from the payload samples published with Thinkific's webhook
# docs (https://gist.github.com/mattapayne/4d51d024f12f9e38cdea85b3d8f06064, citing
# https://platform.thinkific.com/documentation/api/webhooks; same envelope as
# https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation).
THINKIFIC_ENROLLMENT_COMPLETED: dict[str, Any] = {
    "id": "20190131192005552012814",
    "resource": "enrollment",
    "action": "completed",
    "tenant_id": "59",
    "created_at": "2014-02-01T00:20:05.548Z",
    "payload": {
        "activated_at": "2014-02-01T00:20:05.548Z",
        "completed_at": "2014-02-01T00:20:05.548Z",
        "course": {"id": 25, "name": "[TEST] lorem ipsum"},
        "course_id": 25,
        "created_at": "2014-02-01T00:20:05.548Z",
        "expiry_date": "2014-02-01T00:20:05.548Z",
        "free_trial": False,
        "id": 5,
        "percentage_completed": "100.0",
        "started_at": "2014-02-01T00:20:05.548Z",
        "updated_at": "2014-02-01T00:20:05.548Z",
        "user": {"email": "john@doe.example", "first_name": "John", "id": 95, "last_name": "Doe"},
    },
}

# Thinkific "Enrollment Progress", same source ("percentage_completed": "24.0").
THINKIFIC_ENROLLMENT_PROGRESS: dict[str, Any] = {
    "id": "20190131192004041953291",
    "resource": "enrollment",
    "action": "progress",
    "tenant_id": "59",
    "created_at": "2014-02-01T00:20:04.019Z",
    "payload": {
        "activated_at": "2014-02-01T00:20:04.019Z",
        "completed_at": "2014-02-01T00:20:04.019Z",
        "course": {"id": 25, "name": "[TEST] lorem ipsum"},
        "course_id": 25,
        "created_at": "2014-02-01T00:20:04.019Z",
        "expiry_date": "2014-02-01T00:20:04.019Z",
        "free_trial": False,
        "id": 4,
        "percentage_completed": "24.0",
        "started_at": "2014-02-01T00:20:04.019Z",
        "updated_at": "2014-02-01T00:20:04.019Z",
        "user": {"email": "jane@doe.example", "first_name": "Jane", "id": 96, "last_name": "Doe"},
    },
}

# Thinkific "order.created" (not a learning event), from the support.thinkific.com "Webhook
# Payload Samples" article (https://support.thinkific.com/hc/en-us/articles/360042258053).
THINKIFIC_ORDER_CREATED: dict[str, Any] = {
    "id": "20180126172320940835610",
    "resource": "order",
    "action": "created",
    "tenant_id": "3",
    "created_at": "2018-01-26T22:23:20.808Z",
    "payload": {
        "affiliate_referral_code": None,
        "amount_cents": 5000,
        "amount_dollars": 50,
        "billing_name": "Robert Smith",
        "coupon": None,
        "created_at": "2018-01-26T22:23:18.400Z",
        "id": 19796,
        "order_number": 1010,
        "payment_type": "one-time",
        "product_id": 1,
        "product_name": "Introduction to Webhooks",
        "status": "Complete",
        "user": {"email": "ninjas@thinkific.com", "first_name": "Robert", "id": 123456, "last_name": "Smith"},
    },
}

# Moodle local_webhooks: the plugin posts $event->get_data() plus host, token and extra; this is
# the shape of its documented example (https://github.com/valentineus/moodle-webhooks README:
# "eventname", "component", ..., "timecreated", "host", "token", "extra", ids partly as strings)
# with the standard data of \core\event\course_completed (moodle/moodle
# lib/classes/event/course_completed.php: objecttable course_completions, crud u, edulevel 2,
# relateduserid = the learner, other = {relateduserid}).
MOODLE_COURSE_COMPLETED: dict[str, Any] = {
    "eventname": "\\core\\event\\course_completed",
    "component": "core",
    "action": "completed",
    "target": "course",
    "objecttable": "course_completions",
    "objectid": "41",
    "crud": "u",
    "edulevel": 2,
    "contextid": 112,
    "contextlevel": 50,
    "contextinstanceid": "7",
    "userid": "2",
    "courseid": "7",
    "relateduserid": "23",
    "anonymous": 0,
    "other": {"relateduserid": "23"},
    "timecreated": 1764637200,
    "host": "moodle.school.example",
    "token": "",
    "extra": "",
}

# Canvas Live Events "course_completed", plain JSON form (developerdocs.instructure.com Live
# Events: metadata envelope; canvas-lms lib/canvas/live_events.rb course_completed body:
# progress, user {id, name, email}, course {id, name, account_id, sis_source_id}, stringified).
CANVAS_COURSE_COMPLETED: dict[str, Any] = {
    "metadata": {
        "root_account_uuid": "VicYj3cu5BIFpoZhDVU4DZumnlBrWi1grgJEzADs",
        "root_account_id": "21070000000000001",
        "user_id": "21070000000000123",
        "context_id": "21070000000000565",
        "context_type": "Course",
        "event_name": "course_completed",
        "event_time": "2026-12-02T01:00:00.000Z",
        "producer": "canvas",
        "hostname": "school.instructure.example",
    },
    "body": {
        "progress": {
            "requirement_count": "4",
            "requirement_completed_count": "4",
            "next_requirement_url": None,
            "completed_at": "2026-12-02T00:59:58Z",
        },
        "user": {"id": "21070000000000123", "name": "Grace Hopper", "email": "grace@school.example"},
        "course": {
            "id": "21070000000000565",
            "name": "Compilers",
            "account_id": "21070000000000001",
            "sis_source_id": None,
        },
    },
}

# Teachable "Enrollment.completed" (docs.teachable.com "Webhook events and data": a user completes
# 100 % of a course). Field names are not documented there; this follows Teachable's webhook
# object (id, type, created, object) as third-party receivers read it.
TEACHABLE_ENROLLMENT_COMPLETED: dict[str, Any] = {
    "id": 90211,
    "type": "Enrollment.completed",
    "created": "2026-12-02T01:00:00Z",
    "object": {
        "id": 5501,
        "completed_at": "2026-12-02T00:59:00Z",
        "course_id": 1337,
        "course": {"id": 1337, "name": "Watercolour basics"},
        "user": {"id": 77, "email": "mira@school.example", "name": "Mira Lee"},
    },
}

# Kajabi "tag_added" hook (developers.kajabi.com outbound hooks; the completion pattern "when a
# course is completed, add a tag" from Kajabi/Zapier templates). Payload field names are not
# documented beyond JSON:API samples; this is the contact + tag shape the reader accepts.
KAJABI_TAG_ADDED: dict[str, Any] = {
    "id": "evt_3f2a",
    "event": "tag_added",
    "created_at": "2026-12-02T01:00:00Z",
    "contact": {"id": 4412, "email": "noor@school.example", "name": "Noor Haddad"},
    "tag": {"id": 88, "name": "completed-course-mindset"},
}


# Thinkific "lesson.completed" (support.thinkific.dev Webhooks Documentation: "Triggered when a
# student completes a lesson"; the payload carries the lesson and its chapter, ids and names, the
# course and the user — per https://thirdbear.substack.com/p/using-thinkific-webhooks-to-track;
# field names beyond those are not documented, the reader takes only lesson.id, course and user).
def thinkific_lesson_completed(event_id: str, lesson_id: int, email: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "resource": "lesson",
        "action": "completed",
        "tenant_id": "59",
        "created_at": "2026-12-02T01:00:00.000Z",
        "payload": {
            "chapter": {"id": 7, "name": "Getting started"},
            "course": {"id": 25, "name": "[TEST] lorem ipsum"},
            "lesson": {"id": lesson_id, "name": f"Lesson {lesson_id}"},
            "user": {"email": email, "first_name": "Lin", "id": 97, "last_name": "Wu"},
        },
    }
