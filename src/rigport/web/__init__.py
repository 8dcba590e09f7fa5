"""rigport.web"""
