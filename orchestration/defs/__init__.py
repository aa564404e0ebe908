"""Definition modules, loaded by orchestration.definitions via load_from_defs_folder."""
