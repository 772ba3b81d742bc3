"""Markdown in CASE statements, rendered safely: raw HTML is shown as text, unsafe links
(javascript:, data:, …) are not made, tables and emphasis are."""

from django import template

from proficio.lib.markdown import markdown_safe

register = template.Library()
register.filter("case_markdown", markdown_safe)
