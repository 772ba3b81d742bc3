import django.db.models.deletion
from django.db import migrations, models


def started_runs_beat_when_they_started(apps, schema_editor):
    # A run started before leases existed was heard from last when it started: one left
    # running by a killed worker is then stale at once, and tried again.
    RecomputeRun = apps.get_model('mastery', 'RecomputeRun')
    RecomputeRun.objects.filter(started_at__isnull=False).update(
        attempts=1, heartbeat_at=models.F('started_at')
    )


class Migration(migrations.Migration):

    dependencies = [
        ('mastery', '0004_policy_history'),
    ]

    operations = [
        migrations.AlterField(
            model_name='recomputerun',
            name='policy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='mastery.masterypolicy'),
        ),
        migrations.AddField(
            model_name='recomputerun',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='recomputerun',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='recomputerun',
            name='students_done',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='recomputerun',
            name='students_total',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='recomputerun',
            name='task_id',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(started_runs_beat_when_they_started, migrations.RunPython.noop),
    ]
