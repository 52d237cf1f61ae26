"""What an audit writes: the terminal table, JSON and Markdown (`report`), the LaTeX report
(`latex_report`), and one function per figure (`figures`)."""
