"""Triggers: rules (as data) that turn behaviour and the calendar into queued decisions about
members, and the durable queue workers claim them from."""
