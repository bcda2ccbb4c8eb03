"""Check the reviewed content files before a migration loads them.

Runs the checks of assessments/content.py on each file (by default the
continuum and every questionnaire version) and checks each questionnaire
against the continuum: its indicators exist in scored stages, and the newest
version asks about every indicator that makes its stage. Exits non-zero,
naming the file and the place, when one is wrong.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import content


class Command(BaseCommand):
    help = (
        "Check the content files (the continuum and each questionnaire version): keys, weights, "
        "option values, named indicators, translations and text lengths."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help="Content files to check (default: every content file of the project).",
        )

    def handle(self, *args, files, **options):
        paths = [Path(name) for name in files] or [
            content.CONTINUUM_FILE,
            *content.questionnaire_files(),
        ]
        problems = []
        continuums, questionnaires = [], {}
        broken_continuum = False
        for path in paths:
            try:
                data = content.read(path)
            except content.ContentError as error:
                problems.append(str(error))
                continue
            is_continuum = isinstance(data, dict) and "stages" in data
            try:
                if is_continuum:
                    continuums.append(content.parse_continuum(data, path.name))
                else:
                    questionnaires[path] = content.load_questionnaire(path)
            except content.ContentError as error:
                problems.append(str(error))
                broken_continuum |= is_continuum
        # Questionnaires are checked against the continuum given, if it is valid.
        if questionnaires and not broken_continuum:
            problems += self.check_against_continuum(questionnaires, continuums)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {len(paths)} content file(s).")
        self.stdout.write(self.style.SUCCESS(f"{len(paths)} content file(s) are valid."))

    def check_against_continuum(self, questionnaires, continuums):
        """Check each questionnaire with the continuum given, or else the project's."""
        try:
            continuum = continuums[0] if continuums else content.load_continuum()
        except content.ContentError as error:
            return [f"{error} (needed to check {', '.join(p.name for p in questionnaires)})"]
        # Only the newest version must ask about every named indicator: older
        # ones are history, scored with what they asked.
        newest = max(
            [*content.questionnaire_versions(), *(q.version for q in questionnaires.values())]
        )
        problems = []
        for path, questionnaire in questionnaires.items():
            try:
                continuum.check(questionnaire, path.name, current=questionnaire.version == newest)
            except content.ContentError as error:
                problems.append(str(error))
        return problems
