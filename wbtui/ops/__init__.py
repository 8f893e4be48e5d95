"""Operations both faces call: the CLI and the dashboard parse input, call one of these, present.

doctor and its support bundle, datastore fixes (plan, then apply), the running-config
read-back for the draft-vs-running diff, and the runtime actions (lifecycle: the
"what will happen" steps shown before a confirmation, running an action, upgrade).
"""
