"""pylti1p3's view of the tool's registrations: django-lti's tables, narrowed to the
registrations a district admin made (a Platform row) and still active. Every call to a
platform goes through lib.outbound's session (pylti1p3 would follow redirects anywhere and
wait for ever)."""

from lti_tool.models import LtiDeployment, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.deployment import Deployment


class ToolConfig(DjangoToolConfig):
    """Registrations of a district only; every deployment under one is live.

    django-lti records a deployment it has not seen as inactive, for an admin to switch on.
    Here the registration is what a district admin trusts: the LMS's admins decide where
    the tool is deployed within it (ADR 0046)."""

    def _registrations(self):
        return LtiRegistration.objects.active().filter(proficio_platform__isnull=False)

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        lookups = {"issuer": iss}
        if self.registration_uuid is not None:
            lookups["uuid"] = self.registration_uuid
        found = self._registrations().filter(**lookups)
        if len(found[:2]) != 1:
            return None
        self.registration = found[0]
        return self.registration.to_registration()

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        lookups = {"issuer": iss, "client_id": client_id}
        if self.registration_uuid is not None:
            lookups["uuid"] = self.registration_uuid
        self.registration = self._registrations().filter(**lookups).first()
        return None if self.registration is None else self.registration.to_registration()

    def find_deployment(self, iss, deployment_id):
        return self._deployment(deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(deployment_id)

    def _deployment(self, deployment_id: str) -> Deployment | None:
        if self.registration is None:
            return None
        self.deployment, _created = LtiDeployment.objects.get_or_create(
            registration=self.registration,
            deployment_id=deployment_id,
            defaults={"is_active": True},
        )
        return Deployment().set_deployment_id(self.deployment.deployment_id)
