"""Drop the database cache of rendered results (0016): results are now kept in each process.

A results page checks its private link in the database on every request and
keeps its rendered body in the process's memory (assessments/models/rounds.py,
RESULT_BODY), so no rendered personal data is left in a shared table or in Redis.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0042_evidence_contradictions_on_portfolio_and_agenda"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS smarketing_fragments", migrations.RunSQL.noop),
    ]
