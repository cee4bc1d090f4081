app_name = "reach"
urlpatterns: list = []
