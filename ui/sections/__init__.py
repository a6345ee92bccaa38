"""Page sections: the parts of a page that more than one page draws, or that a page reads better
without (the Branch page's staffing and engagement, the Portfolio's table and problem flags, the
Executives headline). Each reads through ui.state.cached and draws with ui.figures and ui.widgets."""
