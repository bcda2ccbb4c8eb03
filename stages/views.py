from django.shortcuts import get_object_or_404, render

from .models import Stage

# The pages' content is cached per language (templates' {% cache ... using="pages" %}):
# the querysets below are lazy, so a cached page reads no stage from the database.


def home(request):
    return render(request, "stages/home.html", {"stages": Stage.objects.all()})


def continuum(request):
    return render(request, "stages/continuum.html", {"stages": Stage.objects.with_content()})


def stage_detail(request, slug):
    stage = get_object_or_404(Stage, slug=slug)
    return render(
        request,
        "stages/stage_detail.html",
        {
            # Read only when the cached content is rebuilt.
            "content": Stage.objects.with_content().filter(pk=stage.pk),
            "stage": stage,
            "around": Stage.objects.filter(number__in=[stage.number - 1, stage.number + 1]),
        },
    )
