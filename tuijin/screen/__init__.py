"""The big screen (大屏): the campaign live on the command room's wall."""
