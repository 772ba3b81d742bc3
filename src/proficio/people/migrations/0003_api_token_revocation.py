import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_unbound_tokens(apps, schema_editor):
    """Tokens issued before this release are bound to no password, so a password change would
    not end them: their holders sign in again for a token that is."""
    apps.get_model("people", "ApiToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_oneroster_ids"),
    ]

    operations = [
        migrations.RunPython(drop_unbound_tokens, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="apitoken",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
            },
        ),
        migrations.AddField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
