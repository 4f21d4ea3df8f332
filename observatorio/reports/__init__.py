"""Reports (issue #16): one document model (document.py) built per kind (kinds/), rendered to one HTML page
(render_html.py) or a PDF through Typst (render_pdf.py), each run recorded (models.ReportRun, runs.py).
See docs/reports.md."""
