import importlib
import os

import pytest
from hypothesis import settings as hypothesis_settings

# CI replays the same examples on every run (derandomize), so a red run is a
# real regression that reproduces, not a new example found by chance; on a
# developer's machine hypothesis explores and remembers what failed.
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The tests that take seconds each: a real browser, real processes (failing ones,
# other servers, the HTML checker), migrations walked, hypothesis' examples.
LONG = (
    "tests/e2e/",
    "tests/faults/",
    "tests/assessments/test_sqlite_writers.py",
    "tests/test_fuzz.py",
    "tests/test_html.py",
    "tests/test_migrations.py",
    "tests/test_settings.py",
    "tests/test_shared_cache.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Put the long tests first; pytest-django then orders the tests as Django does.

    Its order (tests in a transaction, then tests that commit, then tests without
    the database) must hold on each worker: a test that commits flushes the
    database, content included, which only the tests that commit load again. The
    sort is stable, so the long tests stay first within each part, and the workers
    (make test) take one test at a time in this order: the short tests fill in
    around the long ones and no worker is left running a long test alone at the end.
    """
    items.sort(key=lambda item: not item.nodeid.startswith(LONG))


@pytest.fixture(autouse=True)
def default_language():
    """Start each test in the default language.

    A test client request in Spanish leaves Spanish active in the test's
    thread (LocaleMiddleware activates it and nothing resets it), so a later
    test of the same worker read its model texts in Spanish.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def cache_after_flush(request):
    """Empty the shared cache after tests that commit: a flush keeps the cache table's rows.

    Other tests run in a transaction that is rolled back, cache rows included;
    Redis (REDIS_URL, the third CI run) keeps everything, so it is emptied after each test.
    """
    yield
    from django.conf import settings
    from django.core.cache import caches

    # The public pages' content is kept in this process's memory: a test that
    # changes a stage must not find another test's page.
    caches["pages"].clear()
    if settings.REDIS_URL or {"transactional_db", "live_server"} & set(request.fixturenames):
        from django.core.cache import caches

        for cache in caches.all():
            cache.clear()


@pytest.fixture(scope="session")
def migrated_apps():
    """The models as the migrations leave them, as a data migration sees them.

    Plain columns: the real models' translated fields (modeltranslation) read
    and write the active language's column instead.
    """
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True).project_state().apps


@pytest.fixture(autouse=True)
def content_after_flush(request):
    """Reload the content the migrations load, which an earlier transactional test flushed."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group, Permission
    from django.db import connection

    from assessments.content_rows import restore_content
    from stages.models import Stage

    if Stage.objects.exists():
        return
    apps = request.getfixturevalue("migrated_apps")
    restore_content(apps, connection)
    # The metrics' default thresholds, which a migration loads too.
    rules = importlib.import_module("assessments.migrations.0041_default_evidence_rules")
    for operation in rules.Migration.operations:
        if hasattr(operation, "code"):
            operation.code(apps, None)
    # The flush keeps permissions (post_migrate recreates them) but not groups.
    consultants = importlib.import_module("assessments.migrations.0006_consultants_group")
    consultants.add_group(Group, Permission)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def spanish(client):
    client.cookies["django_language"] = "es"
    return client


@pytest.fixture
def questionnaire(db):
    from assessments.models import Questionnaire

    return Questionnaire.objects.active()


@pytest.fixture
def new_response(questionnaire):
    from assessments.models import Response

    return Response.objects.create(
        questionnaire=questionnaire, organization_name="Acme", role=Response.Role.MARKETING
    )


@pytest.fixture
def make_leader(django_user_model):
    """Create a user who is a member of ORGANIZATION (a new one when None)."""
    from assessments.models import Membership, Organization

    def make(email, organization=None, role="marketing"):
        from allauth.account.models import EmailAddress

        user = django_user_model.objects.create_user(email, email, "pw-for-tests")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        organization = organization or Organization.objects.create(name=f"Org of {email}")
        Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return make


@pytest.fixture
def leader(make_leader):
    return make_leader("ana@acme.example", role="marketing")


@pytest.fixture
def organization(leader):
    return leader.organizations.get()


@pytest.fixture
def member(client, leader):
    """The test client, logged in as the leader (a member of the organization)."""
    client.force_login(leader)
    return client


@pytest.fixture
def other_leader(make_leader):
    return make_leader("olga@other.example", role="sales")


@pytest.fixture
def round(organization, questionnaire, leader):
    from assessments.models import Round

    return Round.objects.create(
        organization=organization, questionnaire=questionnaire, created_by=leader
    )


@pytest.fixture
def make_consultant(django_user_model):
    from django.contrib.auth.models import Group

    def make(email, *organizations):
        from allauth.account.models import EmailAddress

        user = django_user_model.objects.create_user(email, email, "pw-for-tests", is_staff=True)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.groups.add(Group.objects.get(name="Consultants"))
        for organization in organizations:
            organization.consultants.add(user)
        return user

    return make
