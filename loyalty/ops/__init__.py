"""Ops: the functions CRM and loyalty staff use (campaigns, member offers, explanations, segments,
guard rejections, the review queue, pausing use cases) and the chat that reaches them."""
