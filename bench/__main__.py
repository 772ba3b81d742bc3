"""Run every benchmark and print one JSON document."""

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proficio.config.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import (
        agreement,
        backup_under_load,
        bkt,
        bulk,
        dashboards,
        engine_methods,
        gradebook,
        oneroster,
        pages,
        pathways_pages,
        policy_preview,
        rating_latency,
        recompute,
        report_pdfs,
        upload_memory,
        xapi_statements,
    )

    results = {
        "engine_methods": engine_methods.run(),
        "bulk": bulk.run(),
        "bkt": bkt.run(),
        "rating_latency": rating_latency.run(),
        "oneroster": oneroster.run(),
        "recompute": recompute.run(),
        "policy_preview": policy_preview.run(),
        "backup_under_load": backup_under_load.run(),
        "pages": pages.compare(pages.QUICK_SIZE, pages.WARM_RUNS),
        "gradebook_500x40": gradebook.run(),
        "pathways_pages": pathways_pages.compare(),
        "upload_memory": upload_memory.run(),
        "agreement": agreement.run(),
        # 1,000 students here; the district of 20,000 with --students 20000 (and --postgres).
        "dashboards": dashboards.quick(),
        "report_pdfs": report_pdfs.run(),
        "xapi_statements": xapi_statements.run(),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
