"""Markdown in CASE statements, rendered safely: raw HTML is shown as text, unsafe links
(javascript:, data:, …) are not made, tables and emphasis are."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# "js-default": CommonMark plus tables and strikethrough, with raw HTML turned off.
_MARKDOWN = MarkdownIt("js-default")


@register.filter
def case_markdown(text: str) -> SafeString:
    # Safe: markdown-it escapes raw HTML and refuses unsafe link schemes in this preset.
    return mark_safe(_MARKDOWN.render(text or ""))
