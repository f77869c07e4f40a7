"""leadloop's typed configuration: YAML + ``${ENV}`` interpolation, located errors, durations.

``settings`` loads and validates a config file (:func:`~sync.config.settings.load_settings`);
``models`` holds the base model and the small sections (store, schedule, reasons, limits),
``sources`` the CRM sources, ``feedback`` the feedback section; ``loader`` the YAML reading,
interpolation and error locating; ``types`` the field types (secrets, URLs, files, cron);
``references`` the checks that span sections (mappings, catalogue, feedback target);
``durations`` the ``15m`` syntax; ``masking`` keeps secret values out of every message.
"""
