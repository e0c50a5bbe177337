"""Staff identity beyond the password: the second factor (TOTP, django-otp) that an administrator
requires per role, and single sign-on through an OpenID Connect provider (the province's
directory). The OIDC client (`oidc.py`) knows nothing of staff, so the citizens' login can use it
with another provider; `staff_sso.py` is the staff side of it.
"""
