"""Submit several responses of one round at the same moment, on a file SQLite database.

Run by test_concurrency.py in a process of its own (DATABASE_URL points at a
fresh file), since the test database is in memory and shared by one thread.
Prints the status of each submit and the round's respondent count as JSON.
"""

import json
import os
import sys
import threading

import django

WRITERS = int(sys.argv[1]) if len(sys.argv) > 1 else 6


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessments.models import Answer, Organization, Questionnaire, Round
    from tests.helpers import highest, page_data

    call_command("migrate", verbosity=0)
    questionnaire = Questionnaire.objects.active()
    organization = Organization.objects.create(name="Writers")
    round = Round.objects.create(organization=organization, questionnaire=questionnaire)
    pages = questionnaire.pages()
    responses = []
    for _ in range(WRITERS):
        response = round.responses.create(
            questionnaire=questionnaire, organization_name="Writers", role="sales"
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, option=highest(question))
            for section in pages[:-1]
            for question in section.questions.all()
        )
        responses.append(response)
    connection.close()

    barrier = threading.Barrier(WRITERS)
    statuses = []

    def submit(response):
        url = reverse("assessments:page", args=[response.token, len(pages)])
        data = page_data(pages[-1], highest, next="1")
        client = Client(raise_request_exception=False)
        barrier.wait()
        try:
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(r,)) for r in responses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    round.refresh_from_db()
    print(json.dumps({"statuses": sorted(statuses), "respondents": round.respondents}))


if __name__ == "__main__":
    main()
