"""django-lti registers its tables in the admin site; Proficio's admin shows each district
its own rows only, and these hold the tool's private keys and other districts' registrations:
they leave the admin. A district admin manages its LMSs on /lti/."""

from django.apps import apps
from django.contrib import admin

for model in apps.get_app_config("lti_tool").get_models():
    if admin.site.is_registered(model):
        admin.site.unregister(model)
