from django.urls import path

from biocommunity.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.register_page, name="register"),
    path("certificates/<str:number>/", views.certificate_page, name="certificate"),
    path("certificates/<str:number>/badge.svg", views.badge, name="badge"),
    path("certificates/<str:number>/revise/", views.revise_page, name="revise"),
    path("certificates/<str:number>/revoke/", views.revoke_page, name="revoke"),
    path("rubrics/<slug:code>/<str:version>/", views.rubric_page, name="rubric"),
    path("communities/<slug:key>/", views.community_page, name="community"),
    path("work/", views.workspace, name="workspace"),
    path("rounds/new/", views.round_new, name="round-new"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("assessments/<int:pk>/", views.assessment_page, name="assessment"),
    path("assessments/<int:pk>/review/", views.review_page, name="review"),
    path("assessments/<int:pk>/decide/", views.decide_page, name="decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("audit/", views.audit_page, name="audit"),
]
