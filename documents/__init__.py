"""Documents shared by every app: PDFs rendered from templates, and SVG bar charts.

A bottom layer: it imports nothing of ours, so orga, certif and pixdeploy all may use it.
"""
