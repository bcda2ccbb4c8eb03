from django.urls import path

from . import views

app_name = "stages"

urlpatterns = [
    path("", views.home, name="home"),
    path("continuum/", views.continuum, name="continuum"),
    path("continuum/<slug:slug>/", views.stage_detail, name="detail"),
]
