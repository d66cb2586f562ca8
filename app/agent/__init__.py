"""The support agent: one factory builds it, `SupportDesk` runs conversations with it."""
