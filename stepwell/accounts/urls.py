from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("mfa/setup/", views.mfa_setup_view, name="mfa_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("activate/<str:uidb64>/<str:token>/", views.portal_activate_view, name="portal_activate"),
]
