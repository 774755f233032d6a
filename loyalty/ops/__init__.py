"""Ops: the functions CRM and loyalty staff use (campaigns, member offers, explanations, segments,
guard rejections, the review queue, pausing use cases) and the chat that reaches them.

This stays in the composition root because every part of it joins layers that may not meet
elsewhere: the service runs agents (a dry-run offer) beside the domain, the review queue's send
uses the channels server's send-time rules, and the chat and its in-process MCP server wire a model
to those functions. What needs no joining lives below: the local model's grammar and the ops
prompt in `agents.orchestrator`, budgets, campaigns, decisions and the outbox in `tools`.
"""
