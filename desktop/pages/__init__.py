"""One module per step of the side bar; see `desktop.main_window.PAGES`."""
