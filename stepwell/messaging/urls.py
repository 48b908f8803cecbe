from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("mine/", views.mine, name="mine"),
]
