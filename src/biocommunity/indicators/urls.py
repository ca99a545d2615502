from django.urls import path

from biocommunity.indicators import views

app_name = "indicators"
urlpatterns = [
    path("compare/", views.compare_page, name="compare"),
    path("compare/comparison.<str:fmt>", views.compare_download, name="compare-download"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("sales/", views.sales_page, name="sales"),
    path("factsheet/", views.factsheet_page, name="factsheet"),
    path("factsheet.pdf", views.factsheet_pdf_download, name="factsheet-pdf"),
    path("import/", views.import_page, name="import"),
]
