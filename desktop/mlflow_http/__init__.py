"""One way to speak HTTP with the lab's MLflow server, shared by the sync and the model delivery.

``address`` checks a tracking URL, ``tls`` reads the certificate settings, ``auth`` builds the sign-in
header, ``status`` says what an answer means, ``problems`` names the kinds of server trouble (their
English for the command line; the window words them in ``desktop/ui/problem_words.py``), and
``transport`` sends one request once: no retries and no redirects here (the sync's live in
``desktop/sync/retry.py``).
"""
