"""A campaign tab's response: the whole page, or only its panel when the campaign's tabs load it with htmx.

A history restore (the back button after the page left htmx's cache) asks for the whole page.
"""

from django.shortcuts import render


def render_tab(request, page_template, panel_template, context):
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, panel_template if partial else page_template, context)
