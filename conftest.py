# Root conftest: pytest loads it for any path inside the repo (pytest --nbval notebooks/,
# pytest test/notebooks, plain pytest), which a conftest under test/ would not be for
# notebooks/. It only registers the nbval-with-tslab fixes; see test/notebooks/nbval_tslab.py.
pytest_plugins = ["nbval_tslab"]
