"""Routes whose links by id depend on more than the view's name (the url tag's tests)."""

from django.urls import include, path, re_path


def view(request, **kwargs):
    raise AssertionError("never served: only reversed")


shared = ([path("item/<id:item_id>/", view, name="item")], "shared")

urlpatterns = [
    # any number or a year of four digits, under one name: the value picks the pattern
    # (Django tries the last one first)
    path("number/<int:pk>/", view, name="by_value"),
    re_path(r"^year/(?P<pk>[0-9]{4})/$", view, name="by_value"),
    re_path(r"^regex/(?P<pk>[0-9]+)/$", view, name="regex"),
    path("text/<str:pk>/", view, name="text"),
    path("record/<id:pk>/<int:other>/", view, name="record"),
    path("plain/", view, name="plain"),
    # one application under two namespaces: the current application picks one
    path("first/", include(shared, namespace="first")),
    path("second/", include(shared, namespace="second")),
    path("nested/<id:parent>/", include(([path("child/<id:pk>/", view, name="child")], "nest"))),
]
