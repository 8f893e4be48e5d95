"""Live watchers of the datastores: samples taken at a pace, rates from counter deltas, rules over time.

``wbtui check`` looks once; the guide's operating rules are about watching (MySQL's CPU above 40% for
five minutes, a hot standby that keeps up). The CLI (``wbtui db status``) and the dashboard's Database
pane show what these modules compute; nothing here imports textual.
"""
