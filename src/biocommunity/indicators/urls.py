from django.urls import path

from biocommunity.indicators import views

app_name = "indicators"
urlpatterns = [
    path("compare/", views.compare_page, name="compare"),
    path("compare/comparison.<str:fmt>", views.compare_download, name="compare-download"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/report.<str:fmt>", views.kpi_report_download, name="kpi-report"),
    path("sales/", views.sales_page, name="sales"),
    path("factsheet/", views.factsheet_page, name="factsheet"),
    path("factsheet.pdf", views.factsheet_pdf_download, name="factsheet-pdf"),
    path("import/", views.import_page, name="import"),
    path(
        "import/observations-template.<str:fmt>",
        views.import_template_download,
        name="import-template",
    ),
]
