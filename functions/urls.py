"""Routes of the functions: /fn (the original's fn.saintsxctf.com), /s3 (its presigned uploads), /uasset (its
picture bucket). Included at the root by saintsxctf/urls.py; the front proxy also serves /fn at the root of the
iOS app's functions host (ops/nginx/)."""

from django.urls import path

from functions import views

app_name = "functions"
urlpatterns = [
    path("fn/email/welcome", views.WelcomeEmailView.as_view(), name="email-welcome"),
    path("fn/email/activation-code", views.ActivationCodeEmailView.as_view(), name="email-activation-code"),
    path("fn/email/report", views.ReportEmailView.as_view(), name="email-report"),
    path("fn/uasset/signed-url/user", views.UserUploadUrlView.as_view(), name="signed-url-user"),
    path("fn/uasset/signed-url/group", views.GroupUploadUrlView.as_view(), name="signed-url-group"),
    path("s3/<str:bucket>/<str:env>/profile/<str:username>/<str:name>", views.UploadView.as_view(),
         name="upload-profile"),
    path("s3/<str:bucket>/<str:env>/group/<int:group_id>/<str:name>", views.GroupUploadView.as_view(),
         name="upload-group"),
    path("uasset/profile/<str:username>/<str:name>", views.PictureView.as_view(), name="picture-profile"),
    path("uasset/group/<int:group_id>/<str:name>", views.GroupPictureView.as_view(), name="picture-group"),
    path("uasset/group/<str:group_name>/<str:name>", views.GroupPictureByNameView.as_view(),
         name="picture-group-by-name"),
]
