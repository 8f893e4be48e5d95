"""Operations both faces call: the CLI and the dashboard parse input, call one of these, present.

doctor and its support bundle, datastore fixes (plan, then apply), the running-config
diff, and the "what will happen" plans shown before a change is confirmed.
"""
