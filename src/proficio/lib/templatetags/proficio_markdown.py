from django import template

from proficio.lib.markdown import markdown_safe

register = template.Library()
register.filter("markdown", markdown_safe)
