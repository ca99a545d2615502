"""Registry rules and workflows: views, API, admin and CLI all call these."""
