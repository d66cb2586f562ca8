"""The offline chat model, a self-contained plug-in: no LLM, no network, same messages in, same reply out.

Registered as the `offline` provider (`app.registry` → `provider.build_client`); nothing outside this
package imports it or checks its type. It owns

- its decisions: `intents` (the learned router and its artifact), `detection` (needs the help
  centre or not), `questions` (the questions the knowledge base answers) and `policy` (what to do
  with a message), which reads the names the help centre knows from `app.knowledge.vocabulary`
  (the search reads them too);
- its answers: `answer` (units of the retrieved text), `answer_select` (which of them answer),
  `answer_types`, `answer_context`, `answer_entity`, `answer_signpost` (what a signpost announces);
- its wording: `replies`; its chat client: `client`; its warm-up: `provider` (the `prepare` hook
  `SupportDesk` calls for any provider);
- its training: `python -m app.agent.providers.offline.train` rebuilds `offline_intents.npz`.
"""
