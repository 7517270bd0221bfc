from django.urls import include, path

urlpatterns = [
    path("", include("hearth.web.urls")),
    path("account/", include("hearth.accounts.urls")),
    path("people/", include("hearth.people.urls")),
    path("chronology/", include("hearth.chronology.urls")),
    path("access/", include("hearth.access.urls")),
    path("toolkit/", include("hearth.toolkit.urls")),
    path("plans/", include("hearth.plans.urls")),
    path("alerts/", include("hearth.alerts.urls")),
    path("partnership/", include("hearth.partnership.urls")),
    path("action-plans/", include("hearth.actionplans.urls")),
    path("training/", include("hearth.workforce.urls")),
    path("audit/", include("hearth.audit.urls")),
    path("imports/", include("hearth.interop.urls")),
    path("linkage/", include("hearth.linkage.urls")),
    path("api/v1/", include("hearth.api.urls")),
]

handler404 = "hearth.web.errors.not_found"
