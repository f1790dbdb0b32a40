"""LMS events, pure: how senders prove who they are (``signatures``), the one learner event every
platform's payload becomes (``event``, ``platforms``), and which award rules an event meets
(``rules``). No I/O, no clock: the time is an argument."""
