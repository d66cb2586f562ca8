"""The agent's tools: small classes bound to the stores, whose bound methods the model may call.

Who the customer is and which conversation is running never appear as tool arguments (the model
could forge them); they arrive through the run's `function_invocation_kwargs` as a `TurnState`.
"""
