"""The 1EdTech Open Badges 3.0 API (OB 3.0 §6, 1EdTech Security Framework 1.1), pure.

https://www.imsglobal.org/spec/ob/v3p0#api

- ``scopes``: the four OAuth 2.0 scopes and reading a requested ``scope``;
- ``registration``: client metadata of Dynamic Client Registration (RFC 7591) checked;
- ``discovery``: the Service Description Document (a profiled OpenAPI 3.0 document);
- ``status_info``: the ``Imsx_StatusInfo`` error payload;
- ``paging``: the ``X-Total-Count`` and RFC 8288 ``Link`` headers of a page.

Every refusal of the OAuth side is a ``ProtocolError`` whose ``code`` is the RFC's error code.
"""
