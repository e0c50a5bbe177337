"""Open311 GeoReport v2 server at `/open311/v2/` for machine clients (mobile apps, Zalo bots,
partner systems).

Plain Django views (Open311 has its own JSON and XML formats, so not Ninja): each view parses the
request, calls one `tinhso.feedback` service or selector, and renders through `render`. Categories
are the Open311 services (`Category.code` is the `service_code`); `attributes` holds the service
definitions; only public reports are ever listed.
"""
