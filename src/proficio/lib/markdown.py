"""Markdown written by people (CASE statements, task instructions, students' work), rendered
safely: raw HTML is shown as text, unsafe links (javascript:, data:, …) are not made."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# "js-default": CommonMark plus tables and strikethrough, with raw HTML turned off.
_MARKDOWN = MarkdownIt("js-default")


def markdown_safe(text: str) -> SafeString:
    # Safe: markdown-it escapes raw HTML and refuses unsafe link schemes in this preset.
    return mark_safe(_MARKDOWN.render(text or ""))
