"""The Kubernetes backend: the applied objects, the API client and kubeconfig rule, logs, status.

``render`` is the same objects as manifests; ``importer`` reads a Deployment back as settings.
"""
