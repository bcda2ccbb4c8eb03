from django.shortcuts import get_object_or_404, render

from .models import Stage


def home(request):
    return render(request, "stages/home.html", {"stages": Stage.objects.all()})


def continuum(request):
    return render(request, "stages/continuum.html", {"stages": Stage.objects.with_content()})


def stage_detail(request, slug):
    stage = get_object_or_404(Stage.objects.with_content(), slug=slug)
    around = Stage.objects.filter(number__in=[stage.number - 1, stage.number + 1])
    neighbours = {s.number: s for s in around}
    return render(
        request,
        "stages/stage_detail.html",
        {
            "stage": stage,
            "previous": neighbours.get(stage.number - 1),
            "next": neighbours.get(stage.number + 1),
        },
    )
