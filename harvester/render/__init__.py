"""Rendering the report model: JSON from the model, Markdown through Jinja2 templates."""
