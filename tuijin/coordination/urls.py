"""Coordination pages (views/): the to-do home and inbox, tasks, problems, meetings, supervision."""

from django.urls import path

from .views import channels, home, meetings, problems, stats, supervision, tasks

app_name = "coordination"
urlpatterns = [
    path("", home.home, name="home"),
    path("inbox/", home.inbox, name="inbox"),
    path("inbox/read/", home.inbox_read, name="inbox_read"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/add/", tasks.task_add, name="task_add"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/step/<slug:step>/", tasks.task_step, name="task_step"),
    path("notes/<int:pk>/file/", tasks.note_file, name="note_file"),
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/add/", problems.problem_add, name="problem_add"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/step/<slug:step>/", problems.problem_step, name="problem_step"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/add/", meetings.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/step/<slug:step>/", meetings.meeting_step, name="meeting_step"),
    path("meetings/<int:pk>/minutes.docx", meetings.meeting_minutes, name="meeting_minutes"),
    path("items/<int:pk>/step/<slug:step>/", meetings.item_step, name="item_step"),
    path("supervision/", supervision.board, name="board"),
    path("letters/", supervision.letter_list, name="letter_list"),
    path("letters/<int:pk>/reply/", supervision.letter_reply_view, name="letter_reply"),
    path("letters/<int:pk>/letter.docx", supervision.letter_docx, name="letter_docx"),
    path("stats/", stats.stats, name="stats"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/add/", channels.channel_add_view, name="channel_add"),
    path("channels/<int:pk>/test/", channels.channel_test_view, name="channel_test"),
    path("channels/<int:pk>/toggle/", channels.channel_toggle, name="channel_toggle"),
    path("channels/<int:pk>/delete/", channels.channel_delete, name="channel_delete"),
]
